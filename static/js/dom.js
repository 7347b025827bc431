// Small DOM helpers every screen shares: find, build, set text only when it changed, keep a list
// of keyed nodes in order without rebuilding them, and send an action showing its refusal.
// User text always goes in as text (textContent, attributes), never as HTML.

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

// An element with attributes (null, undefined and false leave an attribute out) and text.
export function el(tag, attrs = {}, text = null) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
  }
  if (text !== null) node.textContent = text;
  return node;
}

// Writing the same text again would still disturb a screen reader and the selection.
export function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}

export function setAttr(node, name, value) {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

// Put `nodes` into `parent` in this order, moving only what is out of place (a moved node
// loses its focus, so nodes already in place are left alone).
export function reconcile(parent, nodes) {
  const wanted = new Set(nodes);
  for (const child of [...parent.children]) if (!wanted.has(child)) child.remove();
  let cursor = parent.firstElementChild;
  for (const node of nodes) {
    if (node === cursor) cursor = cursor.nextElementSibling;
    else parent.insertBefore(node, cursor);
  }
}

// Keyed children: a node per item (by `item.id`) made once by `create`, brought up to date by
// `update` on every call, and moved only when out of order; nodes of items gone are removed.
export function keyed(container, cache, items, create, update) {
  const wanted = new Set();
  const nodes = items.map((item) => {
    const key = String(item.id);
    wanted.add(key);
    let node = cache.get(key);
    if (!node) {
      node = create(item);
      cache.set(key, node);
    }
    update(node, item);
    return node;
  });
  for (const [key, node] of cache) {
    if (!wanted.has(key)) {
      node.remove();
      cache.delete(key);
    }
  }
  reconcile(container, nodes);
}

// `changed(key, value)` is true when `value` differs from what was drawn for `key` last time:
// parts that arrive twice a second while a hall votes are rebuilt only when they changed.
export function changeTracker() {
  const memo = new Map();
  return function changed(key, value) {
    const text = JSON.stringify(value);
    if (memo.get(key) === text) return false;
    memo.set(key, text);
    return true;
  };
}

// Send an action with `send(event, payload)` (which resolves to the server's answer
// {ok, error?, message?}) and show its refusal, or `fallback` when there is no message (a lost
// connection), in `errorNode`; a success clears what was shown there. Returns the answer.
export async function sendAndShow(send, errorNode, event, payload, fallback) {
  const answer = await send(event, payload);
  setText(errorNode, answer.ok ? "" : (answer.message || fallback));
  return answer;
}
