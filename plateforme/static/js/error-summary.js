// After a failed submit, move focus to the error summary: a keyboard or screen-reader user
// starts from the list of what to correct, not from the top of the page. Without JavaScript the
// summary still comes first in <main>, is a role="alert" and the page title starts with the error.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary && !location.hash) {
    summary.focus();
  }
});
