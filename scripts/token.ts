/**
 * `npm run token -- --sub <id> [--role USER|ADMIN] [--grade NORMAL|VIP] [--expires 12h]`
 * prints a JWT signed with the configured secret (JWT_SECRET, or the development default).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { issueUserToken } from '../platform/auth/tokens.ts';
import { authConfigFrom, commonEnv, parseConfig } from '../platform/config.ts';

const usage = 'usage: npm run token -- --sub <user id> [--role USER|ADMIN] [--grade NORMAL|VIP] [--expires 12h]';

const { values } = parseArgs({
  options: {
    sub: { type: 'string' },
    role: { type: 'string', default: 'USER' },
    grade: { type: 'string', default: 'NORMAL' },
    expires: { type: 'string', default: '12h' },
  },
});

const args = z
  .object({
    sub: z.string().min(1, '--sub is required'),
    role: z.enum(['USER', 'ADMIN']),
    grade: z.enum(['NORMAL', 'VIP']),
    expires: z.string().regex(/^\d+[smhd]$/, '--expires must look like 30m, 12h or 7d'),
  })
  .safeParse(values);
if (!args.success) {
  process.stderr.write(`${args.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')}\n${usage}\n`);
  process.exit(64);
}

const auth = authConfigFrom(parseConfig(z.object(commonEnv), process.env));
const token = await issueUserToken(
  auth,
  { sub: args.data.sub, roles: [args.data.role], grade: args.data.grade },
  { expiresIn: args.data.expires },
);
process.stdout.write(`${token}\n`);
