import { join } from "node:path";

/** What `make up` leaves in .run/shop.json for `make status` and `make down`. */
export interface ShopState {
  readonly pid: number;
  readonly gateway: string;
  readonly components: readonly { name: string; kind: string; pid: number; port: number; socket?: string; adminPort?: number }[];
}

export function stateFile(runDir: string): string {
  return join(runDir, "shop.json");
}
