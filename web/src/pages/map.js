// Placeholder until its data arrives.
import { h } from "../dom.js";

export async function render(ctx, view) {
  view.replaceChildren(h("p", null, "Coming."));
}
