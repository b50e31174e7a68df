// js_on_load of the attention view (gr.HTML): clicking a token focuses it; the listener sits on
// the component's root, so it survives every re-render of the value.
// From token i: its row of W (where it attends). To token j: its column (what attends to it).
const focusOn = (root) => {
  const focus = element.dataset.focus || "";
  root.classList.toggle("focused", focus !== "");
  root.querySelectorAll(".on").forEach((x) => x.classList.remove("on"));
  const caption = root.querySelector(".attn-focus");
  if (!focus) { if (caption) caption.textContent = ""; return; }
  const data = JSON.parse(root.dataset.w);
  const k = Number(focus.slice(1));
  if (k >= data.tokens.length) { element.dataset.focus = ""; return focusOn(root); }
  const from = focus[0] === "f";
  root.querySelectorAll(from ? `[data-i="${k}"], [data-from="${k}"]` : `[data-j="${k}"], [data-to="${k}"]`)
    .forEach((x) => x.classList.add("on"));
  const values = data.tokens.map((t, m) => [t, m, from ? data.w[k][m] : data.w[m][k]]);
  const top = values.filter((v) => v[2] > 0).sort((a, b) => b[2] - a[2]).slice(0, 4)
    .map(([t, m, v]) => `“${t}” (${m + 1}) ${v.toFixed(2)}`).join(", ");
  const who = `“${data.tokens[k]}” (${k + 1})`;
  caption.textContent = from ? `${who} attends most to: ${top}` : `${who} is attended to most by: ${top}`;
};
element.addEventListener("click", (event) => {
  const target = event.target.closest("[data-from], [data-to], td[data-i]");
  const root = event.target.closest(".llmlab-attn");
  if (!target || !root) return;
  const key = target.dataset.from !== undefined ? "f" + target.dataset.from
    : target.dataset.to !== undefined ? "t" + target.dataset.to : "f" + target.dataset.i;
  element.dataset.focus = element.dataset.focus === key ? "" : key;
  focusOn(root);
});
watch("value", () => {
  const root = element.querySelector(".llmlab-attn");
  if (root) focusOn(root);
});
