// Test data every suite shares: the payment service's test cards and a valid shipping address.
// The cards are the ones documented in proto/shop/payment/v1/payment.proto; their behaviour is
// the payment service's, so a test that uses one states what that card does.

export interface TestCard {
  readonly number: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly cvc: string;
}

// Any future expiry is accepted; three years ahead stays in the future and in the storefront's
// list of expiry years.
const expiry = { expMonth: 12, expYear: new Date().getFullYear() + 3, cvc: "123" } as const;

export const testCards: {
  /** 4242 4242 4242 4242: always CAPTURED. */
  readonly succeeds: TestCard;
  /** 4000 0000 0000 0002: Charge answers a DECLINED payment ("insufficient funds"). */
  readonly declined: TestCard;
  /** 4000 0000 0000 0119: Charge fails with UNAVAILABLE (the processor is down); nothing is recorded. */
  readonly processorDown: TestCard;
} = Object.freeze({
  succeeds: Object.freeze({ number: "4242 4242 4242 4242", ...expiry }),
  declined: Object.freeze({ number: "4000 0000 0000 0002", ...expiry }),
  processorDown: Object.freeze({ number: "4000 0000 0000 0119", ...expiry }),
});

/** A shop.common.v1.Address in the plain form message initializers take. */
export interface TestAddress {
  readonly recipientName: string;
  // Mutable in type only, so that it fits message init shapes; the array is frozen.
  readonly streetLines: string[];
  readonly city: string;
  readonly postalCode: string;
  readonly regionCode: string;
}

/** A valid US address (two street lines) that every service accepts. */
export const testAddress: TestAddress = Object.freeze({
  recipientName: "Ada Lovelace",
  streetLines: Object.freeze(["1 Market St", "Apt 2"]) as string[],
  city: "San Francisco",
  postalCode: "94103",
  regionCode: "US",
});
