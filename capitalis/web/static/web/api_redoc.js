// Start ReDoc on the API documentation page (web/api/redoc.html): a static file rather than an
// inline script (Content-Security-Policy); the schema address comes from the page.
(function () {
  "use strict";
  const container = document.getElementById("redoc-container");
  if (!container || typeof Redoc === "undefined") {
    return;
  }
  Redoc.init(container.dataset.specUrl, {}, container);
})();
