// One menu for every "Move to…" and cluster action in the console: a WAI-ARIA menu of buttons
// (↑/↓/Home/End choose, Enter or Space confirms, Escape or Tab closes and returns the focus).
import { el } from "./dom.js";

const menu = el("div", { class: "action-menu", role: "menu", "data-menu": "" });
menu.hidden = true;
document.body.append(menu);
let menuAnchor = null;
let menuReturn = null;

export function openMenu(anchor, label, entries, returnFocus) {
  if (!menu.hidden && menuAnchor === anchor) {
    closeMenu(true);  // the same button again: a toggle
    return;
  }
  closeMenu(false);
  menu.replaceChildren();
  menu.setAttribute("aria-label", label);
  let group = menu;
  for (const entry of entries) {
    if (entry.group) {
      group = el("div", { role: "group", "aria-label": entry.group });
      group.append(el("div", { class: "menu-group-label", "aria-hidden": "true" }, entry.group));
      menu.append(group);
    } else if (entry.separator) {
      group = menu;
      menu.append(el("div", { role: "separator" }));
    } else {
      const item = el("button", { type: "button", tabindex: "-1",
        role: entry.checked === undefined ? "menuitem" : "menuitemradio",
        "aria-checked": entry.checked === undefined ? null : String(entry.checked) });
      if (entry.colour) {
        item.append(el("span", { class: `swatch colour-${entry.colour}`, "aria-hidden": "true" }));
      }
      item.append(el("span", { dir: "auto" }, entry.label));
      item.addEventListener("click", () => {
        closeMenu(true);
        entry.action();
      });
      group.append(item);
    }
  }
  menuAnchor = anchor;
  menuReturn = returnFocus;
  if (anchor.hasAttribute("aria-haspopup")) anchor.setAttribute("aria-expanded", "true");
  menu.hidden = false;
  placeMenu();
  const items = menuItems();
  (items.find((item) => item.getAttribute("aria-checked") === "true") || items[0])?.focus();
}

export function closeMenu(restore) {
  if (menu.hidden) return;
  menu.hidden = true;
  if (menuAnchor?.hasAttribute("aria-haspopup")) menuAnchor.setAttribute("aria-expanded", "false");
  const back = menuReturn;
  menuAnchor = menuReturn = null;
  if (restore && back) back();
}

function menuItems() {
  return [...menu.querySelectorAll("button")];
}

function placeMenu() {
  if (!menuAnchor?.isConnected) return;
  const anchor = menuAnchor.getBoundingClientRect();
  const { offsetWidth: width, offsetHeight: height } = menu;
  let top = anchor.bottom + 4;
  if (top + height > innerHeight - 8 && anchor.top - height - 4 > 8) top = anchor.top - height - 4;
  top = Math.max(8, Math.min(top, innerHeight - height - 8));
  let left = document.dir === "rtl" ? anchor.right - width : anchor.left;
  left = Math.max(8, Math.min(left, innerWidth - width - 8));
  menu.style.top = `${top}px`;
  menu.style.left = `${left}px`;
}

menu.addEventListener("keydown", (event) => {
  const items = menuItems();
  const index = items.indexOf(document.activeElement);
  const go = (next) => {
    event.preventDefault();
    items[(next + items.length) % items.length]?.focus();
  };
  if (event.key === "ArrowDown") go(index + 1);
  else if (event.key === "ArrowUp") go(index - 1);
  else if (event.key === "Home") go(0);
  else if (event.key === "End") go(items.length - 1);
  else if (event.key === "Escape" || event.key === "Tab") {
    event.preventDefault();
    event.stopPropagation();
    closeMenu(true);
  }
});
document.addEventListener("pointerdown", (event) => {
  if (!menu.hidden && !menu.contains(event.target) && !menuAnchor?.contains(event.target)) {
    closeMenu(false);
  }
}, true);
window.addEventListener("resize", placeMenu);
window.addEventListener("scroll", (event) => {
  if (!menu.hidden && event.target !== menu) placeMenu();
}, true);
