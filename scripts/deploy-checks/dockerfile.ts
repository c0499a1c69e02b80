/** The Dockerfile, checked offline by the parser and validator behind VS Code's Docker support. */
import { readFileSync } from 'node:fs';
import { validate } from 'dockerfile-utils';

export interface DockerfileFacts {
  problems: string[];
  /** Base images of the stages, and the user the last stage runs as. */
  stages: string[];
  user?: string;
  entrypoint?: string;
}

export function checkDockerfile(path: string): DockerfileFacts {
  const text = readFileSync(path, 'utf8');
  const problems = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const argument = (keyword: string) =>
    instructions
      .filter((line) => line.toUpperCase().startsWith(`${keyword} `))
      .map((line) => line.slice(keyword.length + 1).trim());
  return {
    problems,
    stages: argument('FROM'),
    user: argument('USER').at(-1),
    entrypoint: argument('ENTRYPOINT').at(-1),
  };
}
