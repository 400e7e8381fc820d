"use strict";
// The admin's autocomplete list filters (templates/admin/articles/autocomplete_filter.html):
// name select2's box after the filter's label, and filter the list as soon as a name is picked.
// Runs after admin/js/autocomplete.js has made the boxes; select2 reports a pick as a jQuery
// "change" event, hence django.jQuery.
django.jQuery(function ($) {
  $(".autocomplete-filter select").each(function () {
    const label = document.getElementById(this.id + "-label");
    $(this).next(".select2").find("[role=combobox], [role=textbox]")
      .attr("aria-labelledby", label.id);
  }).on("change", function () {
    this.form.submit();
  });
});
