// The UI's Hono environment: the login session and the principal the rest of the app understands.
import type { Principal } from '../auth/middleware.js';
import type { Session } from './session.js';

export type UiEnv = { Variables: { session: Session; principal: Principal } };
