// Small pieces every page uses: form fields with their messages, banners, loading states, badges.
import { html, nothing, type TemplateResult } from "lit-html";
import { ifDefined } from "lit-html/directives/if-defined.js";
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { OrderState } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import type { Product } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { fieldSentence, type Problem } from "../errors.js";

export interface FieldOptions {
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly type?: string;
  readonly value?: string;
  readonly autocomplete?: string;
  readonly inputmode?: "numeric" | "email" | "text";
  readonly maxlength?: number;
  readonly hint?: string;
  /** The server's description of what is wrong, if anything. */
  readonly error?: string | undefined;
  readonly required?: boolean;
}

/** A labelled input; its hint and error are tied to it with aria-describedby. */
export function field(o: FieldOptions): TemplateResult {
  const hintId = o.hint === undefined ? undefined : `${o.id}-hint`;
  const errorId = o.error === undefined ? undefined : `${o.id}-error`;
  const describedBy = [hintId, errorId].filter((x) => x !== undefined).join(" ");
  return html`<div class="field ${o.error === undefined ? "" : "invalid"}">
    <label for=${o.id}>${o.label}${o.required === false ? html` <span class="optional">(optional)</span>` : nothing}</label>
    <input
      id=${o.id}
      name=${o.name}
      type=${o.type ?? "text"}
      .value=${o.value ?? ""}
      autocomplete=${ifDefined(o.autocomplete)}
      inputmode=${ifDefined(o.inputmode)}
      maxlength=${ifDefined(o.maxlength)}
      aria-invalid=${o.error === undefined ? "false" : "true"}
      aria-describedby=${ifDefined(describedBy === "" ? undefined : describedBy)}
    />
    ${hintId === undefined ? nothing : html`<p class="hint" id=${hintId}>${o.hint}</p>`}
    ${errorId === undefined ? nothing : html`<p class="field-error" id=${errorId}>${fieldSentence(o.label, o.error ?? "")}</p>`}
  </div>`;
}

export interface SelectOptions {
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly options: readonly { readonly value: string; readonly label: string }[];
  readonly value: string;
  readonly error?: string | undefined;
  readonly autocomplete?: string;
}

export function selectField(o: SelectOptions): TemplateResult {
  const errorId = o.error === undefined ? undefined : `${o.id}-error`;
  return html`<div class="field ${o.error === undefined ? "" : "invalid"}">
    <label for=${o.id}>${o.label}</label>
    <select id=${o.id} name=${o.name} autocomplete=${ifDefined(o.autocomplete)} aria-invalid=${o.error === undefined ? "false" : "true"} aria-describedby=${ifDefined(errorId)}>
      ${o.options.map((opt) => html`<option value=${opt.value} ?selected=${opt.value === o.value}>${opt.label}</option>`)}
    </select>
    ${errorId === undefined ? nothing : html`<p class="field-error" id=${errorId}>${fieldSentence(o.label, o.error ?? "")}</p>`}
  </div>`;
}

/** The problem of the last call, as an alert; `more` lists what no field shows. */
export function problemBanner(problem: Problem | undefined, more: readonly string[] = []): TemplateResult | typeof nothing {
  if (problem === undefined) return nothing;
  return html`<div class="banner error" role="alert" tabindex="-1">
    <p>${problem.message}</p>
    ${problem.detail === undefined ? nothing : html`<p class="detail">${problem.detail}</p>`}
    ${more.length === 0 ? nothing : html`<ul>${more.map((m) => html`<li>${m}</li>`)}</ul>`}
  </div>`;
}

export function loading(text: string): TemplateResult {
  return html`<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>${text}</p>`;
}

/** The product's picture: a drawn tile (the demo catalog's image URLs name a host that does not exist). */
export function productTile(product: Product, size: "small" | "large" = "small"): TemplateResult {
  const initials = product.name
    .split(/[\s,()-]+/)
    .filter((w) => /^[\p{L}\p{N}]/u.test(w))
    .slice(0, 2)
    .map((w) => w.charAt(0).toUpperCase())
    .join("");
  return html`<div class="tile tile-${size} hue-${hueOf(product.categories[0] ?? product.sku)}" aria-hidden="true">${initials}</div>`;
}

function hueOf(text: string): number {
  let hash = 0;
  for (const ch of text) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash % 6;
}

const stateLabels: Record<OrderState, string> = {
  [OrderState.UNSPECIFIED]: "Unknown",
  [OrderState.PENDING]: "Pending",
  [OrderState.RESERVED]: "Reserved",
  [OrderState.PAID]: "Paid",
  [OrderState.SHIPPED]: "Shipped",
  [OrderState.CONFIRMED]: "Confirmed",
  [OrderState.CANCELLED]: "Cancelled",
};

export function orderStateLabel(state: OrderState): string {
  return stateLabels[state];
}

export function stateBadge(state: OrderState): TemplateResult {
  const tone = state === OrderState.CONFIRMED || state === OrderState.SHIPPED ? "good" : state === OrderState.CANCELLED ? "bad" : "neutral";
  return html`<span class="badge badge-${tone}">${orderStateLabel(state)}</span>`;
}

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });

/** "United States" for "US"; the code itself if the browser does not know it. */
export function regionName(code: string): string {
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

const timeFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short" });

export function formatTime(time: Timestamp | undefined): string {
  return time === undefined ? "" : timeFormat.format(timestampDate(time));
}

export function timeElement(time: Timestamp | undefined): TemplateResult | typeof nothing {
  if (time === undefined) return nothing;
  return html`<time datetime=${timestampDate(time).toISOString()}>${formatTime(time)}</time>`;
}

/** Moves focus to the first field with a message, or else to the error banner. */
export function focusFirstProblem(): void {
  const target =
    document.querySelector<HTMLElement>(".field.invalid input, .field.invalid select") ??
    document.querySelector<HTMLElement>(".banner.error");
  target?.focus();
}
