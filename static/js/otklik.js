// Small behaviours of the staff pages; everything works without them, only slower.
document.addEventListener("click", (event) => {
  const pick = event.target.closest("[data-pick-applicant]");
  if (!pick) return;
  event.preventDefault();
  const form = pick.closest("form");
  form.querySelector("[name=applicant_id]").value = pick.dataset.pickApplicant;
  const chosen = form.querySelector("#chosen-applicant");
  chosen.textContent = "Выбран заявитель: " + pick.dataset.name;
  chosen.classList.remove("d-none");
  form.querySelector("#new-applicant-fields").classList.add("opacity-50");
});
document.addEventListener("click", (event) => {
  const reset = event.target.closest("[data-reset-applicant]");
  if (!reset) return;
  event.preventDefault();
  const form = reset.closest("form");
  form.querySelector("[name=applicant_id]").value = "";
  form.querySelector("#chosen-applicant").classList.add("d-none");
  form.querySelector("#new-applicant-fields").classList.remove("opacity-50");
});
document.addEventListener("change", (event) => {
  if (event.target.name !== "applicant_kind") return;
  const org = event.target.value === "organisation";
  document.querySelectorAll("[data-person-field]").forEach((el) => el.classList.toggle("d-none", org));
  document.querySelectorAll("[data-org-field]").forEach((el) => el.classList.toggle("d-none", !org));
});
