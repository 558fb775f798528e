// Every shop contract, so that server reflection on any one service lets grpcurl list and
// describe all of them (and the mesh gateway can route reflection to any service).
import { toBinary, type DescFile } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { file_google_rpc_error_details } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import { file_grpc_health_v1_health } from "@shopmesh/gen/grpc/health/v1/health_pb.js";
import { file_shop_cart_v1_cart } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { file_shop_catalog_v1_catalog } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { file_shop_inventory_v1_inventory } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { file_shop_notification_v1_notification } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { file_shop_order_v1_events } from "@shopmesh/gen/shop/order/v1/events_pb.js";
import { file_shop_order_v1_order } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { file_shop_payment_v1_payment } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { file_shop_shipping_v1_shipping } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { file_shop_user_v1_user } from "@shopmesh/gen/shop/user/v1/user_pb.js";

export const shopFiles: readonly DescFile[] = [
  file_shop_catalog_v1_catalog,
  file_shop_inventory_v1_inventory,
  file_shop_cart_v1_cart,
  file_shop_user_v1_user,
  file_shop_order_v1_order,
  file_shop_order_v1_events,
  file_shop_payment_v1_payment,
  file_shop_shipping_v1_shipping,
  file_shop_notification_v1_notification,
];

/**
 * The shop's files and everything they import, each as a serialized FileDescriptorProto, plus
 * google/rpc/error_details.proto so grpcurl can print the details of an error (BadRequest…) and
 * grpc/health/v1/health.proto so grpcurl can call grpc.health.v1.Health/Check.
 */
export function shopFileDescriptorProtos(): Buffer[] {
  const seen = new Map<string, DescFile>();
  const visit = (file: DescFile): void => {
    if (seen.has(file.name)) return;
    seen.set(file.name, file);
    file.dependencies.forEach(visit);
  };
  shopFiles.forEach(visit);
  visit(file_google_rpc_error_details);
  visit(file_grpc_health_v1_health);
  return [...seen.values()].map((f) => Buffer.from(toBinary(FileDescriptorProtoSchema, f.proto)));
}
