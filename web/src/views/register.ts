// Creating an account; then the shopper logs in with it.
import { html } from "lit-html";
import { Code } from "@connectrpc/connect";
import type { PageFactory } from "../context.js";
import { fieldMessage, otherFieldMessages, type Problem } from "../errors.js";
import type { Route } from "../router.js";
import { field, focusFirstProblem, problemBanner } from "./parts.js";

type RegisterRoute = Extract<Route, { page: "register" }>;

const fields = ["email", "display_name", "password"];

export const registerPage: PageFactory<RegisterRoute> = (ctx, _route, signal) => {
  const state = { busy: false, problem: undefined as Problem | undefined, email: "", displayName: "" };

  const submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    state.email = String(form.get("email") ?? "");
    state.displayName = String(form.get("displayName") ?? "");
    state.busy = true;
    state.problem = undefined;
    ctx.update();
    try {
      const { user } = await ctx.api.users.register(
        { email: state.email, displayName: state.displayName, password: String(form.get("password") ?? "") },
        { signal },
      );
      ctx.registeredEmail = user?.email ?? state.email;
      ctx.flash(`Welcome, ${user?.displayName ?? state.displayName}! Your account is ready: log in to start shopping.`);
      ctx.go({ page: "login", next: "" });
    } catch (err) {
      if (signal.aborted) return;
      const problem = ctx.problem(err);
      state.problem =
        problem.code === Code.AlreadyExists
          ? { ...problem, message: "An account with this email already exists. Log in instead?" }
          : problem;
      state.busy = false;
      ctx.update();
      ctx.afterRender(focusFirstProblem);
    }
  };

  return {
    title: "Create an account",
    view: () => html`<section class="narrow">
      <h1 tabindex="-1">Create an account</h1>
      ${problemBanner(state.problem, otherFieldMessages(state.problem, fields))}
      <form class="stack" novalidate @submit=${(e: SubmitEvent) => void submit(e)}>
        ${field({ id: "register-email", name: "email", label: "Email", type: "email", value: state.email, autocomplete: "email", error: fieldMessage(state.problem, "email") })}
        ${field({
          id: "register-name",
          name: "displayName",
          label: "Your name",
          value: state.displayName,
          autocomplete: "name",
          maxlength: 100,
          hint: "Shown in the shop.",
          error: fieldMessage(state.problem, "display_name"),
        })}
        ${field({
          id: "register-password",
          name: "password",
          label: "Password",
          type: "password",
          autocomplete: "new-password",
          hint: "8 to 128 characters.",
          error: fieldMessage(state.problem, "password"),
        })}
        <button type="submit" ?disabled=${state.busy}>${state.busy ? "Creating your account…" : "Create account"}</button>
      </form>
      <p>Already have an account? <a href="#/login">Log in</a>.</p>
    </section>`,
  };
};
