/**
 * @module report/views/dom
 * The little of the DOM the views use, so the same code runs on a browser's document and on a
 * server-side one (linkedom) without the DOM library's types in the core's build.
 */

export interface El {
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  appendChild<T extends El>(child: T): T;
  append(...nodes: (El | string)[]): void;
  textContent: string | null;
  readonly outerHTML: string;
  readonly children: ArrayLike<El>;
  querySelectorAll(selector: string): ArrayLike<El>;
}

export interface Doc {
  createElement(tag: string): El;
  createTextNode(text: string): unknown;
}

/** An element with attributes and children (strings become text). */
export function h(doc: Doc, tag: string, attrs: Record<string, string> = {}, ...children: (El | string | null | undefined)[]): El {
  const el = doc.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}
