// The login page: the admin password form, with the reason for a failed attempt.
import { BareLayout } from './layout.js';

export function LoginPage(props: { hostname: string; csrf: string; error?: string; next?: string; expired?: boolean }) {
  return (
    <BareLayout title="Log in" hostname={props.hostname}>
      <div class="login-box">
        <form method="post" action="/login" class="cbi-section">
          <h2>Authorization Required</h2>
          <p class="cbi-map-descr">Please enter the administrator password.</p>
          {props.expired ? <div class="alert-message warning">Session expired. Please log in again.</div> : null}
          {props.error ? (
            <div class="alert-message error" role="alert">
              {props.error}
            </div>
          ) : null}
          <input type="hidden" name="_csrf" value={props.csrf} />
          {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
          <div class="cbi-value">
            <label class="cbi-value-title" for="username">
              Username
            </label>
            <div class="cbi-value-field">
              <input type="text" id="username" name="username" value="admin" autocomplete="username" />
            </div>
          </div>
          <div class="cbi-value">
            <label class="cbi-value-title" for="password">
              Password
            </label>
            <div class="cbi-value-field">
              <input type="password" id="password" name="password" autocomplete="current-password" autofocus required />
            </div>
          </div>
          <div class="cbi-page-actions">
            <button type="submit" class="cbi-button cbi-button-apply">
              Log in
            </button>
          </div>
        </form>
      </div>
    </BareLayout>
  );
}
