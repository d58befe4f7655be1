// The apply dialog: live steps, the confirm countdown with Confirm / Roll back now, and the outcome said plainly.
export interface ApplyStep {
  at: number;
  state: string;
  kind: string;
  message: string;
}

export interface ApplyDialogView {
  id: string;
  state: string;
  reason?: string | null;
  /** Epoch ms when the confirm window closes. */
  deadline?: number | null;
  confirmWindow: number;
  unchecked: boolean;
  /** The confirm token, known only to the session that started the apply. */
  token?: string;
  steps: ApplyStep[];
  /** Server clock when rendered, so the browser can correct for skew. */
  now: number;
}

const inFlight = (state: string) => ['pending', 'preflighted', 'loading', 'probing', 'rolling_back'].includes(state);

export function StepList({ steps }: { steps: ApplyStep[] }) {
  return (
    <ul class="steps" id="apply-steps" aria-live="polite">
      {steps.map((s) => (
        <li class={s.kind === 'error' ? 'fail' : 'ok'}>{s.message}</li>
      ))}
    </ul>
  );
}

function Body({ apply, csrf }: { apply: ApplyDialogView; csrf: string }) {
  const remaining = apply.deadline ? Math.max(0, Math.ceil((apply.deadline - apply.now) / 1000)) : 0;
  if (apply.state === 'awaiting_confirm') {
    const pct = apply.confirmWindow > 0 ? Math.min(100, Math.round((remaining * 100) / apply.confirmWindow)) : 0;
    return (
      <>
        <h4 id="apply-title">Applying configuration changes… <span data-countdown>{remaining}</span>s</h4>
        <StepList steps={apply.steps} />
        <p class="countdown" data-countdown-text>
          The new rules are loaded. Confirm within <strong data-countdown>{remaining}</strong> seconds, or they are rolled back
          automatically.
        </p>
        <progress class="countdown-bar" max={100} value={pct} data-progress aria-hidden="true"></progress>
        <p class="muted" data-retry hidden></p>
        <div class="cbi-page-actions">
          <form method="post" action={`/applies/${apply.id}/rollback`} class="inline-form" data-apply-action="rollback">
            <input type="hidden" name="_csrf" value={csrf} />
            <button type="submit" class="cbi-button cbi-button-negative">Roll back now</button>
          </form>
          {apply.token ? (
            <form method="post" action={`/applies/${apply.id}/confirm`} class="inline-form" data-apply-action="confirm">
              <input type="hidden" name="_csrf" value={csrf} />
              <input type="hidden" name="token" value={apply.token} />
              <button type="submit" class="cbi-button cbi-button-apply">Confirm</button>
            </form>
          ) : (
            <span class="muted">Started in another session: only that session holds the confirm token.</span>
          )}
        </div>
      </>
    );
  }
  if (inFlight(apply.state)) {
    return (
      <>
        <h4 id="apply-title">{apply.state === 'rolling_back' ? 'Rolling back…' : 'Applying configuration changes…'}</h4>
        <StepList steps={apply.steps} />
        <p class="muted">Step: {apply.state.replace('_', ' ')}</p>
      </>
    );
  }
  if (apply.state === 'confirmed') {
    return (
      <>
        <h4 id="apply-title">Configuration changes applied.</h4>
        <StepList steps={apply.steps} />
        <div class="cbi-page-actions">
          <a class="cbi-button" href={`/applies/${apply.id}`}>Details</a>
          <DismissButton id={apply.id} csrf={csrf} />
        </div>
      </>
    );
  }
  return (
    <>
      <h4 id="apply-title">
        {apply.state === 'rolled_back'
          ? 'Configuration changes have been rolled back!'
          : apply.state === 'rollback_failed'
            ? 'Rolling back failed: the kernel may not hold the last working configuration!'
            : 'The apply failed; nothing was changed.'}
      </h4>
      <div class="alert-message error" role="alert">
        <strong>Reason:</strong> <span data-reason>{apply.reason ?? 'unknown'}</span>
      </div>
      <StepList steps={apply.steps} />
      {apply.state === 'rolled_back' ? (
        <p>
          The previous configuration is active again. Your edits are kept as unsaved changes: correct them and apply again, or
          reset them to keep the working configuration.
        </p>
      ) : null}
      <div class="cbi-page-actions">
        <a class="cbi-button" href={`/applies/${apply.id}`}>Details</a>
        <a class="cbi-button" href="/changes">Review changes</a>
        <DismissButton id={apply.id} csrf={csrf} />
      </div>
    </>
  );
}

function DismissButton({ id, csrf }: { id: string; csrf: string }) {
  return (
    <form method="post" action={`/applies/${id}/dismiss`} class="inline-form">
      <input type="hidden" name="_csrf" value={csrf} />
      <button type="submit" class="cbi-button cbi-button-action">
        Dismiss
      </button>
    </form>
  );
}

/** Modal shown on every page while an apply is open; ui.js streams steps and drives the countdown. */
export function ApplyDialog({ apply, csrf, modal = true }: { apply: ApplyDialogView; csrf: string; modal?: boolean }) {
  const inner = (
    <div
      class="modal"
      id="apply-dialog"
      role="dialog"
      aria-labelledby="apply-title"
      data-apply-id={apply.id}
      data-state={apply.state}
      data-deadline={apply.deadline ?? ''}
      data-now={apply.now}
      data-window={apply.confirmWindow}
    >
      <Body apply={apply} csrf={csrf} />
    </div>
  );
  return modal ? <div class="modal-backdrop" id="apply-backdrop">{inner}</div> : inner;
}
