// shop.common.v1.Address as its contract documents it (the rules shipping applies too), checked
// before an order is recorded so that a bad address never reaches the saga.
import type { Address } from "@shopmesh/gen/shop/common/v1/common_pb.js";
import type { Violations } from "@shopmesh/kit";

/** The officially assigned ISO 3166-1 alpha-2 codes (249). */
const regionCodes: ReadonlySet<string> = new Set(
  (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO " +
    "JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR " +
    "MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO " +
    "RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV " +
    "TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
  ).split(" "),
);

/** Length in Unicode code points, as the contracts count characters. */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const isBlank = (s: string): boolean => s.trim() === "";

/** Adds a violation for each bad field of `address`, named under `field` ("shipping_address"). */
export function checkAddress(v: Violations, field: string, address: Address | undefined): void {
  if (address === undefined) {
    v.add(field, "is required");
    return;
  }
  checkText(v, `${field}.recipient_name`, address.recipientName, 100);
  const lines = address.streetLines;
  v.check(lines.length >= 1 && lines.length <= 3, `${field}.street_lines`, "must have 1..3 lines");
  lines.forEach((line, i) => checkText(v, `${field}.street_lines[${i}]`, line, 100));
  checkText(v, `${field}.city`, address.city, 100);
  const postal = address.postalCode;
  if (address.regionCode === "US") {
    v.check(/^\d{5}(-\d{4})?$/.test(postal), `${field}.postal_code`, "must be a US ZIP code: five digits or ZIP+4 (\"94103\", \"94103-1234\")");
  } else {
    v.check(/^[A-Za-z0-9 -]{0,20}$/.test(postal), `${field}.postal_code`, "must be at most 20 characters of A-Z, a-z, 0-9, space and '-'");
  }
  v.check(
    /^[A-Z]{2}$/.test(address.regionCode) && regionCodes.has(address.regionCode),
    `${field}.region_code`,
    "must be an assigned ISO 3166-1 alpha-2 code of two uppercase letters, e.g. \"US\"",
  );
}

function checkText(v: Violations, field: string, value: string, max: number): void {
  const length = codePoints(value);
  if (length === 0 || isBlank(value)) v.add(field, "must not be empty or blank");
  else if (length > max) v.add(field, `must be at most ${max} characters`);
}
