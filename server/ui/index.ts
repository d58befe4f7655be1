// OWNED BY THE UI ENGINEER (issue 5): the admin UI mounted at /. Foundation placeholder until then.
import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';

export function uiRoutes(deps: AppDeps): Hono {
  void deps;
  return new Hono();
}
