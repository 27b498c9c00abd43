/** The sign-in form: one field, `key`, for an admin-scoped API key. */
export function LoginForm(props: { error?: string }) {
  return (
    <main class="login" id="main">
      <h1>Herald admin</h1>
      <p>
        Sign in with an API key that has the admin scope: <code>HERALD_ADMIN_KEY</code>, or one made with{" "}
        <code>herald keys create --name ops --scope admin</code>.
      </p>
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/admin/login">
        <label for="key">Admin API key</label>
        <input
          id="key"
          name="key"
          type="password"
          autocomplete="current-password"
          required
          autofocus
          spellcheck={false}
        />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
