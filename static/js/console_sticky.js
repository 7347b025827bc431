// The console's sticky undo bar: keeps --arrange-bar-size at the bar's real height, so the
// browser scrolls a focused element out from under it (scroll-padding in clusters.css). At 200%
// zoom the bar wraps to several lines; a fixed guess hid 12 of 260 focus stops.
const bar = document.querySelector("[data-arrange-bar]");

if (bar && "ResizeObserver" in window) {
  new ResizeObserver(() => {
    document.documentElement.style.setProperty("--arrange-bar-size", `${bar.offsetHeight}px`);
  }).observe(bar);
}
