import { describe, expect, it } from 'vitest';
import { escapeMarkdown, renderMarkdown } from '../../../functions/report/markdown.js';
import { HOSTILE_GROUP, HOSTILE_REASON, weekWithTexts } from '../../report/fixtures.js';

/** Pipes that separate table cells: not preceded by a backslash. */
const cellSeparators = (line: string): number => (line.match(/(?<!\\)\|/g) ?? []).length;

describe('escapeMarkdown', () => {
  it.each([
    {
      case: 'plain text is unchanged',
      text: 'svc-001-web 7d (recovery failed 2026-11-18T00:20Z)',
      escaped: 'svc-001-web 7d (recovery failed 2026-11-18T00:20Z)',
    },
    { case: 'every character that opens Markdown syntax', text: '\\`*_[]<>|#~&', escaped: '\\\\\\`\\*\\_\\[\\]\\<\\>\\|\\#\\~\\&' },
    { case: 'a link', text: '[x](http://evil)', escaped: '\\[x\\](http://evil)' },
    { case: 'line breaks of every kind', text: 'a\nb\r\nc\rd\u2028e\u2029f\u0085g', escaped: 'a b  c d e f g' },
    { case: 'other control characters', text: 'a\tb\u0000c\u001bd\u007fe', escaped: 'a b c d e' },
    { case: 'bidirectional overrides', text: 'report\u202egnp.exe\u2066x\u2069', escaped: 'report gnp.exe x ' },
  ])('$case', ({ text, escaped }) => {
    expect(escapeMarkdown(text)).toBe(escaped);
  });
});

describe('renderMarkdown with hostile data', () => {
  const text = renderMarkdown(weekWithTexts(HOSTILE_GROUP, HOSTILE_REASON));
  const lines = text.split('\n');

  it('has exactly the real headings, and as many lines as the same report with harmless data', () => {
    expect(lines.filter((line) => line.startsWith('#'))).toEqual([
      '# Phoenix weekly recycle report: 2026-W47',
      '## Groups',
      '## By owner',
      '## Needs attention',
      '## Failed replacements',
    ]);
    expect(lines).toHaveLength(renderMarkdown(weekWithTexts('web', 'disk full')).split('\n').length);
  });

  it('keeps every value inside its own line: one Failures figure, no line starting with data', () => {
    expect(lines.filter((line) => line.includes('**Failures:**'))).toEqual([expect.stringMatching(/^- \*\*Failures:\*\* 1 /)]);
    expect(lines.filter((line) => /^(web|disk|\[|<|`|- \*\*Failures:\*\* 0)/.test(line))).toEqual([]);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for exactly these characters
    expect(text).not.toMatch(/[\r\u2028\u2029\u0085\u000b\u202e]/);
  });

  it('leaves no link, HTML tag, entity, code span or emphasis that data opened', () => {
    expect(text).not.toMatch(/(?<!\\)\]\(/);
    expect(text).not.toMatch(/(?<!\\)<(script|b)\b/);
    expect(text).not.toMatch(/(?<!\\)&#10;/);
    expect(text).not.toMatch(/(?<!\\)`/);
    expect(text).not.toMatch(/(?<![\\*])\*bold/);
    expect(text).toContain('\\[all clear\\](http://evil.example/login)');
    expect(text).toContain('\\<script\\>alert(1)\\</script\\>');
  });

  it('keeps every group row at its twelve cells', () => {
    const header = lines.find((line) => line.startsWith('| group |')) ?? '';
    const rows = lines.slice(lines.indexOf(header) + 2, lines.indexOf('## By owner') - 1);
    expect(rows).toHaveLength(2);
    for (const row of [header, ...rows]) expect(cellSeparators(row)).toBe(13);
    expect(rows[0]).toMatch(/^\| web\\\|prod \\# Owned \\\[x\\\]\(http:\/\/evil\.example\) \\\*bold\\\* \\_em\\_ \\~\\~del\\~\\~ \\<b\\> \| live \|/);
  });
});
