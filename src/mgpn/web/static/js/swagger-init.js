// Starts the API explorer at /docs. A static file, not an inline script, so the page's
// Content-Security-Policy can forbid inline script. Requests made from the explorer carry
// the page's CSRF token (the app refuses state changes without it from a signed-in browser).
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var token = document.body.getAttribute("data-csrf-token") || "";
  window.ui = SwaggerUIBundle({
    url: document.body.getAttribute("data-openapi-url") || "/openapi.json",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    requestInterceptor: function (request) {
      request.headers["X-CSRF-Token"] = token;
      return request;
    },
  });
});
