// Calendar page: focusing the feed address selects it, ready to copy (a static file, not an
// inline onfocus= handler: Content-Security-Policy).
document.addEventListener("focusin", (event) => {
  const target = event.target;
  if (target instanceof HTMLInputElement && target.classList.contains("feed-url")) {
    target.select();
  }
});
