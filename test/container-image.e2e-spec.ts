import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cmd, Copy, DockerfileParser, Instruction } from 'dockerfile-ast';
import { validateEnvironment } from '../src/config/environment';
import { httpSettings } from '../src/config/http.config';
import { RUNTIME_CONTEXT_FILES, RUNTIME_INSTALL_ARGS } from './support/image-layout';

const ROOT = join(__dirname, '..');
const dockerfile = DockerfileParser.parse(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
/** The Node major `.ci/run` runs the whole suite on a second time: the image must run that one. */
const IMAGE_NODE_MAJOR = /^IMAGE_NODE_VERSION=(\d+)\./m.exec(readFileSync(join(ROOT, '.ci', 'run'), 'utf8'))?.[1];

/** Instructions grouped by build stage, each group starting with its FROM. */
const stages = dockerfile.getInstructions().reduce<Instruction[][]>((grouped, instruction) => {
  if (instruction.getKeyword() === 'FROM') grouped.push([]);
  grouped.at(-1)?.push(instruction);
  return grouped;
}, []);
const [buildStage, runtime] = [stages[0], stages.at(-1)!];
const argumentsOf = (instruction: Instruction) => instruction.getExpandedArguments().map((argument) => argument.getValue());
const withKeyword = (stage: Instruction[], keyword: string) => stage.filter((instruction) => instruction.getKeyword() === keyword);
const runs = (stage: Instruction[]) => withKeyword(stage, 'RUN').map((run) => run.getArgumentsContent() ?? '');

describe('Dockerfile', () => {
  it('builds in one stage and runs from a second, on the Node image whose major CI tests', () => {
    expect(IMAGE_NODE_MAJOR).toMatch(/^\d+$/);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const [image, as, name] = argumentsOf(runtime[0]);
    // The major exactly (not 240), any variant, and a digest pin as the Dockerfile suggests.
    expect(image).toMatch(new RegExp(`^node:${IMAGE_NODE_MAJOR}(?![0-9])[-.\\w]*(@sha256:[0-9a-f]{64})?$`));
    expect([as.toUpperCase(), name]).toEqual(['AS', 'runtime']);
  });

  it('lets engines reach that major and no further, so Heroku installs the tested Node too', () => {
    const { engines } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(engines.node).toMatch(new RegExp(`<${Number(IMAGE_NODE_MAJOR) + 1}$`));
  });

  it('compiles with dev dependencies in the build stage only', () => {
    expect(runs(buildStage)).toEqual([expect.stringMatching(/^npm ci\b(?!.*--omit=dev)/), 'npm run build']);
    expect(runs(runtime).join('\n')).not.toContain('npm run build');
  });

  it('installs production dependencies only in the runtime stage, as the image-layout spec does', () => {
    expect(runs(runtime)).toEqual([expect.stringContaining(`npm ${RUNTIME_INSTALL_ARGS.join(' ')}`)]);
  });

  it('copies into the runtime stage only the manifests and the compiled dist/, never .env, tests or sources', () => {
    const copies = (withKeyword(runtime, 'COPY') as Copy[]).map((copy) => ({ from: copy.getFromFlag()?.getValue(), paths: argumentsOf(copy) }));
    expect(copies).toEqual([
      { from: undefined, paths: [...RUNTIME_CONTEXT_FILES, './'] },
      { from: argumentsOf(buildStage[0])[2], paths: ['/app/dist', './dist'] },
    ]);
    const sources = withKeyword(dockerfile.getInstructions(), 'COPY').flatMap((copy) => argumentsOf(copy).slice(0, -1));
    for (const source of sources) {
      expect(source).not.toMatch(/(^|\/)(\.env|test|bench|node_modules)\b|^\.\/?$/);
    }
  });

  it('runs production as a non-root user', () => {
    const env = withKeyword(runtime, 'ENV').map((instruction) => instruction.getArgumentsContent());
    expect(env).toContain('NODE_ENV=production');
    const user = withKeyword(runtime, 'USER').at(-1)?.getArgumentsContent();
    expect(user).toMatch(/^[a-z_][a-z0-9_-]*$|^[1-9]\d*$/);
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('caps the V8 heap, with the Procfile starting node under the same cap', () => {
    const env = withKeyword(runtime, 'ENV').map((instruction) => instruction.getArgumentsContent() ?? '');
    const heapCaps = env.filter((line) => line.startsWith('NODE_OPTIONS='));
    expect(heapCaps).toEqual([expect.stringMatching(/^NODE_OPTIONS=--max-old-space-size=\d+$/)]);
    const flag = heapCaps[0].slice('NODE_OPTIONS='.length);
    expect(readFileSync(join(ROOT, 'Procfile'), 'utf8')).toBe(`web: node ${flag} dist/main.js\n`);
  });

  it('starts node in exec form, so SIGTERM reaches it', () => {
    const [cmd] = withKeyword(runtime, 'CMD') as Cmd[];
    expect(cmd.getJSONStrings().map((argument) => argument.getJSONValue())).toEqual(['node', 'dist/main.js']);
    expect(withKeyword(runtime, 'ENTRYPOINT')).toEqual([]);
  });

  it('exposes the default port and checks readiness with node, not curl or wget', () => {
    const defaultPort = httpSettings(validateEnvironment({})).port;
    expect(withKeyword(runtime, 'EXPOSE').map((expose) => expose.getArgumentsContent())).toEqual([String(defaultPort)]);
    const healthchecks = dockerfile.getHEALTHCHECKs();
    expect(healthchecks).toHaveLength(1);
    const check = healthchecks[0].getArgumentsContent() ?? '';
    expect(check).toMatch(/CMD \["node", "-e", /);
    expect(check).toContain('/health/ready');
    expect(check).toContain(String(defaultPort));
    expect(check).not.toMatch(/curl|wget/);
  });
});

describe('.dockerignore', () => {
  const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it.each(['.env', '.env.*', 'test/', 'bench/', 'node_modules/', 'dist/', '.git/', 'coverage/'])('keeps %s out of the build context', (pattern) => {
    expect(patterns).toContain(pattern);
  });

  it('never re-includes anything', () => {
    expect(patterns.filter((pattern) => pattern.startsWith('!'))).toEqual([]);
  });
});
