export {
  add,
  amountFromMoney,
  checkMoney,
  compare,
  describeMoneyProblems,
  formatAmount,
  isCurrencyCode,
  minorUnitDigits,
  moneyFromAmount,
  moneyProblems,
  multiply,
  safeMinor,
  sameAmount,
  sum,
  zero,
} from "./money.js";
export type { Amount, AmountSign, MoneyFields, MoneyProblem } from "./money.js";
export {
  addressViolations,
  copyAddress,
  maxCityLength,
  maxNameLength,
  maxPostalCodeLength,
  maxStreetLineLength,
  maxStreetLines,
  sameAddress,
} from "./address.js";
export type { AddressCopy, AddressFields } from "./address.js";
export { assignedRegionCodes, isAssignedRegionCode } from "./region-codes.js";
export type { FieldViolation } from "./field-violation.js";
export { characterCount } from "./text.js";
export { defaultPageSize, maxPageSize, pageLimit, pageSizeProblem } from "./paging.js";
