// The demo shop's products, inserted at start unless SEED_DEMO_CATALOG=false. Ids and SKUs are
// stable so scripts and other services' demo data can name them (inventory stocks these SKUs;
// the README lists them). Prices are in USD, whole cents.
import { usdFromCents } from "./money.js";
import type { ProductFields } from "./store/catalog-store.js";

export interface DemoProduct {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly priceCents: number;
  readonly categories: readonly string[];
}

/** Where the demo images would be served; the path is /img/<SKU>.svg. */
export const demoImageBaseUrl = "https://shopmesh.example/img/";

export const demoCatalog: readonly DemoProduct[] = [
  // kitchen
  {
    id: "p-mug-blue-350",
    sku: "MUG-BLUE-350",
    name: "Mesh Mug, Blue",
    description: "A stoneware mug that holds 350 ml of coffee. Dishwasher safe.",
    priceCents: 1250,
    categories: ["kitchen", "mugs"],
  },
  {
    id: "p-mug-white-350",
    sku: "MUG-WHITE-350",
    name: "Mesh Mug, White",
    description: "The classic white mug, 350 ml, with the shopmesh logo.",
    priceCents: 1250,
    categories: ["kitchen", "mugs"],
  },
  {
    id: "p-kettle-goose-1l",
    sku: "KETTLE-GOOSE-1L",
    name: "Gooseneck Kettle",
    description: "A 1 litre kettle with a slim spout for pour-over coffee.",
    priceCents: 5900,
    categories: ["kitchen"],
  },
  {
    id: "p-knife-chef-20",
    sku: "KNIFE-CHEF-20",
    name: "Chef's Knife, 20 cm",
    description: "A forged steel blade for everyday chopping.",
    priceCents: 7900,
    categories: ["kitchen"],
  },
  {
    id: "p-board-oak-40",
    sku: "BOARD-OAK-40",
    name: "Oak Cutting Board",
    description: "Solid oak, 40 x 25 cm, with a juice groove.",
    priceCents: 3450,
    categories: ["kitchen"],
  },
  // apparel
  {
    id: "p-tee-mesh-m",
    sku: "TEE-MESH-M",
    name: "shopmesh T-Shirt (M)",
    description: "Organic cotton T-shirt, size M, printed with the mesh diagram.",
    priceCents: 2200,
    categories: ["apparel", "t-shirts"],
  },
  {
    id: "p-hoodie-grey-l",
    sku: "HOODIE-GREY-L",
    name: "Grey Hoodie (L)",
    description: "A heavy fleece hoodie with a kangaroo pocket, size L.",
    priceCents: 4800,
    categories: ["apparel"],
  },
  {
    id: "p-socks-wool-3p",
    sku: "SOCKS-WOOL-3P",
    name: "Wool Socks, 3 Pairs",
    description: "Merino blend hiking socks that stay warm when wet.",
    priceCents: 1800,
    categories: ["apparel", "outdoor"],
  },
  {
    id: "p-cap-canvas",
    sku: "CAP-CANVAS",
    name: "Canvas Cap",
    description: "A six-panel cap in waxed canvas.",
    priceCents: 1900,
    categories: ["apparel"],
  },
  {
    id: "p-jacket-rain-m",
    sku: "JACKET-RAIN-M",
    name: "Rain Jacket (M)",
    description: "A packable waterproof jacket with taped seams, size M.",
    priceCents: 8900,
    categories: ["apparel", "outdoor"],
  },
  // books
  {
    id: "p-book-dist-sys",
    sku: "BOOK-DIST-SYS",
    name: "Distributed Systems in Practice",
    description: "Timeouts, retries and idempotency, explained with real outages.",
    priceCents: 4500,
    categories: ["books"],
  },
  {
    id: "p-book-grpc",
    sku: "BOOK-GRPC",
    name: "gRPC by Example",
    description: "Contracts first: Protobuf, streaming and error details.",
    priceCents: 3900,
    categories: ["books"],
  },
  {
    id: "p-book-weeknight",
    sku: "BOOK-WEEKNIGHT",
    name: "The Weeknight Kitchen",
    description: "Eighty dinners in thirty minutes or less.",
    priceCents: 2900,
    categories: ["books", "kitchen"],
  },
  {
    id: "p-book-trails",
    sku: "BOOK-TRAILS",
    name: "Trails of the North",
    description: "A field guide to fifty day hikes.",
    priceCents: 2400,
    categories: ["books", "outdoor"],
  },
  {
    id: "p-book-typescript",
    sku: "BOOK-TYPESCRIPT",
    name: "Practical TypeScript",
    description: "Strict types for servers and browsers alike.",
    priceCents: 4200,
    categories: ["books"],
  },
  // electronics
  {
    id: "p-earbuds-wireless",
    sku: "EARBUDS-WIRELESS",
    name: "Wireless Earbuds",
    description: "Bluetooth earbuds with a charging case and 24 hours of play.",
    priceCents: 7900,
    categories: ["electronics"],
  },
  {
    id: "p-charger-usbc-65w",
    sku: "CHARGER-USBC-65W",
    name: "65 W USB-C Charger",
    description: "A compact GaN charger for laptops and phones.",
    priceCents: 3900,
    categories: ["electronics"],
  },
  {
    id: "p-keyboard-mech",
    sku: "KEYBOARD-MECH",
    name: "Mechanical Keyboard",
    description: "A tenkeyless keyboard with hot-swappable switches.",
    priceCents: 11900,
    categories: ["electronics"],
  },
  {
    id: "p-lamp-desk-led",
    sku: "LAMP-DESK-LED",
    name: "LED Desk Lamp",
    description: "Dimmable desk lamp with adjustable colour temperature.",
    priceCents: 4900,
    categories: ["electronics"],
  },
  {
    id: "p-speaker-bt",
    sku: "SPEAKER-BT",
    name: "Bluetooth Speaker",
    description: "A splash-proof speaker for the desk or the campsite.",
    priceCents: 5900,
    categories: ["electronics", "outdoor"],
  },
  // outdoor
  {
    id: "p-tent-2p",
    sku: "TENT-2P",
    name: "Two-Person Tent",
    description: "A freestanding three-season tent, 2.1 kg.",
    priceCents: 18900,
    categories: ["outdoor"],
  },
  {
    id: "p-bottle-steel-750",
    sku: "BOTTLE-STEEL-750",
    name: "Steel Water Bottle, 750 ml",
    description: "Vacuum insulated: cold for 24 hours, hot for 12.",
    priceCents: 2500,
    categories: ["outdoor", "kitchen"],
  },
  {
    id: "p-lantern-led",
    sku: "LANTERN-LED",
    name: "Camping Lantern",
    description: "A rechargeable LED lantern (USB-C), 300 lumen.",
    priceCents: 3200,
    categories: ["outdoor"],
  },
  {
    id: "p-pack-day-25l",
    sku: "PACK-DAY-25L",
    name: "Daypack, 25 L",
    description: "A light hiking pack with a rain cover.",
    priceCents: 6900,
    categories: ["outdoor"],
  },
];

/** The demo products as the store seeds them. */
export function demoCatalogSeed(): { id: string; fields: ProductFields }[] {
  return demoCatalog.map((p) => ({
    id: p.id,
    fields: {
      sku: p.sku,
      name: p.name,
      description: p.description,
      price: usdFromCents(p.priceCents),
      categories: p.categories,
      imageUrl: `${demoImageBaseUrl}${p.sku}.svg`,
    },
  }));
}
