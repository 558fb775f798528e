// The cart as the contract shows it: lines with their totals, the subtotal and unit count.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { CartLineSchema, CartSchema, type Cart, type CartLine as CartLineMessage } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { cartTotals, lineTotal, type CartContents, type CartLine } from "./cart.js";
import { moneyFromAmount } from "@shopmesh/domain";

export function cartMessage(cart: CartContents): Cart {
  const totals = cartTotals(cart.lines);
  return create(CartSchema, {
    lines: cart.lines.map(cartLineMessage),
    subtotal: moneyFromAmount(totals.subtotal),
    itemCount: totals.itemCount,
    ...(cart.updateTimeMs !== undefined ? { updateTime: timestampFromMs(cart.updateTimeMs) } : {}),
  });
}

function cartLineMessage(line: CartLine): CartLineMessage {
  return create(CartLineSchema, {
    productId: line.productId,
    sku: line.sku,
    name: line.name,
    quantity: line.quantity,
    unitPrice: moneyFromAmount(line.unitPrice),
    lineTotal: moneyFromAmount(lineTotal(line)),
  });
}
