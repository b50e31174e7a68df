// js_on_load of a clickable overview (gr.HTML): an element carrying data-layer/data-head or
// data-position sends it to Python as a "click" event; gr.EventData has the same fields.
element.addEventListener("click", (event) => {
  const target = event.target.closest("[data-layer], [data-position]");
  if (!target) return;
  const data = {};
  for (const key of ["layer", "head", "position"]) {
    if (target.dataset[key] !== undefined) data[key] = Number(target.dataset[key]);
  }
  trigger("click", data);
});
