/**
 * The pages' scripts are functions of this project inlined by their source (`Function.prototype.toString`), so the
 * browser runs the same code the type checker saw. Each gets the helpers below as arguments, so the dashboard and the
 * run list share them without a module loader.
 */
import { formatNumber } from '../format.js';

/** Creates `tag` in the page's document, with attributes and text. */
export function element(tag: string, attrs: Record<string, string> = {}, text?: string): any {
  const e = (globalThis as any).document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** What every page script is handed first: formatNumber (numbers read as in the text report) and element. */
export type PageHelpers = [fmt: (v: unknown) => string, el: typeof element];

/** Script text that cannot close its <script> element early. */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}

/** A <script> that calls `client(formatNumber, element, ...args)`; `args` are JSON values. */
export function pageScript<A extends unknown[]>(client: (...args: [...PageHelpers, ...A]) => void, ...args: A): string {
  const call = [formatNumber, element].map((f) => inlineScript(f.toString())).concat(args.map((a) => inlineScript(JSON.stringify(a))));
  return `<script>(${inlineScript(client.toString())})(${call.join(', ')});</script>`;
}
