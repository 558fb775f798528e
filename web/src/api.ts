// The shop's services as the page reaches them: through the edge gateway, over gRPC-web, with the
// shopper's token on every call once signed in.
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { OrderService } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { UserService } from "@shopmesh/gen/shop/user/v1/user_pb.js";

export interface Api {
  readonly catalog: Client<typeof CatalogService>;
  readonly cart: Client<typeof CartService>;
  readonly orders: Client<typeof OrderService>;
  readonly users: Client<typeof UserService>;
  readonly notifications: Client<typeof NotificationService>;
  readonly shipping: Client<typeof ShippingService>;
}

/** Longer than the gateway's own per-route timeouts (PlaceOrder's is 10 s), so those answer first. */
const defaultTimeoutMs = 15_000;

export function createApi(gatewayUrl: string, accessToken: () => string | undefined): Api {
  const transport = createGrpcWebTransport({
    baseUrl: gatewayUrl,
    defaultTimeoutMs,
    interceptors: [bearer(accessToken)],
  });
  return {
    catalog: createClient(CatalogService, transport),
    cart: createClient(CartService, transport),
    orders: createClient(OrderService, transport),
    users: createClient(UserService, transport),
    notifications: createClient(NotificationService, transport),
    shipping: createClient(ShippingService, transport),
  };
}

/** Public calls ignore the header, so it is sent whenever there is a token. */
function bearer(accessToken: () => string | undefined): Interceptor {
  return (next) => (req) => {
    const token = accessToken();
    if (token !== undefined) req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
}
