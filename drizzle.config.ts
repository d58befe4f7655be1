// drizzle-kit settings: migrations are generated from server/db/schema/*.ts into migrations/ and committed.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './server/db/schema',
  out: './migrations',
  casing: 'snake_case',
});
