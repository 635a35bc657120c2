// The repository stands on its own: every relative link in README.md, docs/*.md and the packages' READMEs names a
// file or folder inside the repository that exists (a link to ../shared or to a file that was moved fails here).
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');

function markdownFiles(): string[] {
  const inDir = (dir: string, pick: (name: string) => boolean) =>
    existsSync(path.join(REPO, dir))
      ? readdirSync(path.join(REPO, dir))
          .filter(pick)
          .map((name) => path.join(dir, name))
      : [];
  const packages = readdirSync(path.join(REPO, 'packages')).map((p) => path.join('packages', p, 'README.md'));
  return [
    'README.md',
    ...inDir('docs', (n) => n.endsWith('.md')),
    ...packages.filter((f) => existsSync(path.join(REPO, f))),
  ];
}

/** The targets of inline links and images, `[text](target)`, outside code blocks and code spans. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
}

/** Why a link from `file` does not resolve inside the repository, or undefined when it does (or is not relative). */
function brokenReason(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#') || target.startsWith('//')) return undefined;
  const withoutAnchor = decodeURIComponent(target.split('#')[0]!.split('?')[0]!);
  const resolved = path.resolve(REPO, path.dirname(file), withoutAnchor);
  if (resolved !== REPO && !resolved.startsWith(REPO + path.sep)) return 'outside the repository';
  if (!existsSync(resolved)) return 'no such file';
  return undefined;
}

function brokenLinks(files: string[], read: (file: string) => string) {
  return files.flatMap((file) =>
    linkTargets(read(file)).flatMap((target) => {
      const reason = brokenReason(file, target);
      return reason ? [`${file}: ${target} (${reason})`] : [];
    }),
  );
}

describe('relative links in the documentation', () => {
  const files = markdownFiles();
  const read = (file: string) => readFileSync(path.join(REPO, file), 'utf8');

  it('every one resolves to a file inside the repository', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', path.join('docs', 'API.md')]));
    expect(files.reduce((n, f) => n + linkTargets(read(f)).length, 0)).toBeGreaterThanOrEqual(3);
    expect(brokenLinks(files, read)).toEqual([]);
  });

  it('negative control: a link out of the repository, or to a missing file, is reported', () => {
    const fake = (file: string) =>
      file === 'README.md'
        ? '[contract](../shared/API.md) [gone](docs/NOPE.md) [ok](docs/API.md#events) [web](https://example.com)'
        : '';
    expect(brokenLinks(['README.md'], fake)).toEqual([
      'README.md: ../shared/API.md (outside the repository)',
      'README.md: docs/NOPE.md (no such file)',
    ]);
  });
});
