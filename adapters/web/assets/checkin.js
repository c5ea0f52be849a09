// Enhancements for the check-in page; the page works the same without this file.
// - "Was it talked through?" appears only after a tension other than "No" was chosen.
// - The comment box shows how many characters are left.
(function () {
  "use strict";
  var form = document.querySelector("form.checkin");
  if (!form) return;
  var talked = document.getElementById("talked-group");
  function tensionValue() {
    var checked = form.querySelector('input[name="tension"]:checked');
    return checked ? checked.value : "";
  }
  function updateTalked() {
    if (!talked) return;
    var show = tensionValue() === "a_little" || tensionValue() === "yes";
    talked.hidden = !show;
    if (!show) {
      var inputs = talked.querySelectorAll("input");
      for (var i = 0; i < inputs.length; i++) inputs[i].checked = false;
    }
  }
  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "tension") updateTalked();
  });
  updateTalked();

  var comment = document.getElementById("comment");
  var counter = document.getElementById("comment-count");
  if (comment && counter) {
    var template = comment.getAttribute("data-count-template") || "";
    var update = function () {
      counter.textContent = template.replace("{count}", String(Array.from(comment.value).length));
    };
    comment.addEventListener("input", update);
    update();
  }
  var error = document.getElementById("form-error");
  if (error) error.focus();
})();
