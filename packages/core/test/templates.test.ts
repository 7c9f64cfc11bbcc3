import { describe, expect, it } from 'vitest';
import { applyTemplates, validateTemplates } from '../src/pipeline/templates.js';
import { sampleMessage } from '../src/testing/index.js';

describe('message templates', () => {
  it('render the title and summary from message fields, facts and links, inserting values as they are', () => {
    const message = sampleMessage({
      title: 'daily: 10 runs',
      facts: [
        { label: 'Success rate', value: '90.0 %' },
        { label: 'Runs', value: '10' },
      ],
      links: [{ label: 'html', url: 'https://r.example/x.html' }],
    });
    const rendered = applyTemplates(
      { ...message, job: 'daily<b>' },
      {
        'report-ready': {
          title: '【日报】{{job}} {{fact.runs}} runs',
          summary: 'Success {{fact.success_rate}}{{#links}} · {{label}}: {{url}}{{/links}}',
        },
      },
    );
    expect(rendered.title).toBe('【日报】daily<b> 10 runs');
    expect(rendered.summary).toBe('Success 90.0 % · html: https://r.example/x.html');
    expect(applyTemplates(message, { failure: { title: 'x' } })).toBe(message);
  });

  it('cannot run code: a function-looking template is text, and unknown names are empty', () => {
    const message = sampleMessage();
    expect(
      applyTemplates(message, { [message.kind]: { title: "{{constructor.constructor('return process')()}}|{{nope}}" } })
        .title,
    ).toBe('|');
  });

  it('names the key of a template with broken syntax', () => {
    expect(() => validateTemplates({ alert: { title: '{{#open}} never closed' } })).toThrow(
      /notification\.templates\.alert\.title/,
    );
  });
});
