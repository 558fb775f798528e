// A container's health check: grpc.health.v1 Check of one service, exit 0 only when SERVING.
//   node /app/deploy/images/grpc-health.mjs 127.0.0.1:8080 shop.catalog.v1.CatalogService
// Uses the gRPC client the services already ship (@grpc/grpc-js, grpc-health-check's proto).
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";
import { protoPath } from "grpc-health-check";

const [address, service = ""] = process.argv.slice(2);
if (address === undefined) {
  process.stderr.write("usage: grpc-health.mjs <host:port> [service]\n");
  process.exit(2);
}
const definition = protoLoader.loadSync(protoPath, { keepCase: true, enums: String });
const Health = grpc.loadPackageDefinition(definition).grpc.health.v1.Health;
const client = new Health(address, grpc.credentials.createInsecure());
client.check({ service }, { deadline: Date.now() + 2_000 }, (err, reply) => {
  const status = err ? err.message : reply.status;
  if (status !== "SERVING") process.stderr.write(`${service || "server"}: ${status}\n`);
  client.close();
  process.exit(status === "SERVING" ? 0 : 1);
});
