"use strict";
// "Merge into…" (templates/admin/articles/merge_into.html): name select2's box by the form's
// label and help text. Runs after admin/js/autocomplete.js has made the box.
django.jQuery(function ($) {
  $(".merge-into-form select").each(function () {
    $(this).next(".select2").find("[role=combobox]")
      .attr("aria-labelledby", "merge-survivor-label")
      .attr("aria-describedby", "merge-survivor-help");
  });
});
