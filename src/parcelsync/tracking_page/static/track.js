// The buyer's time zone: remembered in a cookie so the server formats every time in it; one reload when it changes.
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone || document.body === null) { return; }
  var rendered = document.body.getAttribute("data-zone");
  var has = document.cookie.split("; ").indexOf("ps_tz=" + encodeURIComponent(zone)) !== -1;
  document.cookie = "ps_tz=" + encodeURIComponent(zone) + "; path=/track; max-age=31536000; samesite=lax";
  if (!has && rendered !== zone && document.querySelector("time") && !sessionStorage.getItem("ps_tz_reloaded")) {
    sessionStorage.setItem("ps_tz_reloaded", "1");
    location.reload();
  }
})();
