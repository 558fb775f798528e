// Logging in: the token from UserService.Login is kept for this tab (sessionStorage).
import { html } from "lit-html";
import { Code } from "@connectrpc/connect";
import type { PageFactory } from "../context.js";
import { fieldMessage, type Problem } from "../errors.js";
import { parseRoute, type Route } from "../router.js";
import { field, focusFirstProblem, problemBanner } from "./parts.js";

type LoginRoute = Extract<Route, { page: "login" }>;

export const loginPage: PageFactory<LoginRoute> = (ctx, route, signal) => {
  const state = { busy: false, problem: undefined as Problem | undefined, email: ctx.registeredEmail };

  const submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    state.email = String(form.get("email") ?? "");
    state.busy = true;
    state.problem = undefined;
    ctx.update();
    try {
      const res = await ctx.api.users.login({ email: state.email, password: String(form.get("password") ?? "") }, { signal });
      ctx.signIn(res);
      ctx.go(route.next === "" ? { page: "products", category: "", query: "" } : parseRoute(route.next));
    } catch (err) {
      if (signal.aborted) return;
      const problem = ctx.problem(err);
      state.problem = problem.code === Code.Unauthenticated ? { ...problem, message: "Wrong email or password." } : problem;
      state.busy = false;
      ctx.update();
      ctx.afterRender(focusFirstProblem);
    }
  };

  return {
    title: "Log in",
    view: () => html`<section class="narrow">
      <h1 tabindex="-1">Log in</h1>
      ${problemBanner(state.problem)}
      <form class="stack" novalidate @submit=${(e: SubmitEvent) => void submit(e)}>
        ${field({ id: "login-email", name: "email", label: "Email", type: "email", value: state.email, autocomplete: "email", error: fieldMessage(state.problem, "email") })}
        ${field({ id: "login-password", name: "password", label: "Password", type: "password", autocomplete: "current-password", error: fieldMessage(state.problem, "password") })}
        <button type="submit" ?disabled=${state.busy}>${state.busy ? "Logging in…" : "Log in"}</button>
      </form>
      <p>New here? <a href="#/register">Create an account</a>.</p>
    </section>`,
  };
};
