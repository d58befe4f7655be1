// The alert shown when Save or Delete acts on a policy that someone else saved or deleted after this page was opened.
import { DiffBlock, type DiffLine } from './changes.js';
import { fmtTime } from './status.js';

export interface ConflictView {
  name: string;
  /** The revision the page was opened at; undefined when the form did not say. */
  opened?: number;
  /** The policy's newest revision: the one that now stands in the way. */
  latest: { n: number; author: string; createdAt: number; kind: 'save' | 'delete' };
  /** What changed from `opened` to `latest`, when both are saves. */
  lines?: DiffLine[];
}

function What({ conflict }: { conflict: ConflictView }) {
  const { latest, opened } = conflict;
  const since = opened === undefined ? 'This page did not say which revision it was opened at.' : `You opened revision ${opened}.`;
  return (
    <p>
      Someone else {latest.kind === 'delete' ? 'deleted the policy' : 'saved revision'} {latest.kind === 'delete' ? `(revision ${latest.n})` : latest.n} at{' '}
      {fmtTime(latest.createdAt)}, as <code>{latest.author}</code>. {since}
    </p>
  );
}

/** At the top of the editor: nothing was saved, the typed form is still below; reload, look, or overwrite deliberately. */
export function EditorConflict({ conflict }: { conflict: ConflictView }) {
  const { name, latest } = conflict;
  const deleted = latest.kind === 'delete';
  return (
    <div class="alert-message warning" role="alert" id="conflict">
      <h4>The policy changed since this editor was opened; nothing was saved.</h4>
      <What conflict={conflict} />
      <p>Your edits are still in the form below.</p>
      <ChangesSince conflict={conflict} />
      <div class="alert-actions">
        {deleted ? (
          <a class="cbi-button" href="/policies">
            Back to the policies
          </a>
        ) : (
          <>
            <a class="cbi-button" href={`/policies/${name}/edit`}>
              Reload revision {latest.n} (drops your edits)
            </a>{' '}
            <a class="cbi-button" href={`/policies/${name}/revisions/${latest.n}`}>
              Show revision {latest.n}
            </a>
          </>
        )}{' '}
        <button type="submit" form="editor" name="op" value={`overwrite:${latest.n}`} class="cbi-button cbi-button-save">
          {deleted ? 'Save mine as the policy again' : `Save mine over revision ${latest.n}`}
        </button>
      </div>
    </div>
  );
}

/** The diff from the revision the page was opened at to the newest, folded. */
function ChangesSince({ conflict }: { conflict: ConflictView }) {
  if (!conflict.lines?.length) return null;
  return (
    <details class="more">
      <summary>
        See the changes from revision {conflict.opened} to {conflict.latest.n}
      </summary>
      <DiffBlock lines={conflict.lines} />
    </details>
  );
}

/** On the delete confirmation: nothing was deleted; a second Delete deletes the revision now shown. */
export function DeleteConflict({ conflict }: { conflict: ConflictView }) {
  const { name, latest } = conflict;
  return (
    <div class="alert-message warning" role="alert" id="conflict">
      <h4>The policy changed since this page was opened; nothing was deleted.</h4>
      <What conflict={conflict} />
      <ChangesSince conflict={conflict} />
      <p>
        Delete now deletes revision {latest.n} (<a href={`/policies/${name}/revisions/${latest.n}`}>show it</a>).
      </p>
    </div>
  );
}
