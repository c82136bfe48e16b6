// The reader's theme before the first paint (loaded synchronously in <head>, so no flash of the other theme).
(function () {
  try {
    var t = localStorage.getItem("revintel-theme");
    if (t) {
      document.documentElement.dataset.theme = t;
    } else if (window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches) {
      document.documentElement.dataset.theme = "dark";
    }
  } catch (e) {}
})();
