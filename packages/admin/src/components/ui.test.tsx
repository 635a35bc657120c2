import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CapacityBar, Pagination, TextInput } from './ui';

describe('components', () => {
  it('draws the capacity bar with its three parts and says them in words', () => {
    const html = renderToStaticMarkup(
      <CapacityBar capacity={10} confirmed_count={5} hold_count={2} available_capacity={3} />,
    );
    expect(html).toContain('aria-label="5 confirmed, 2 held, 3 free of 10"');
    expect(html).toContain('class="seg seg-confirmed" style="width:50%"');
    expect(html).toContain('class="seg seg-held" style="width:20%"');
    expect(html).toContain('class="seg seg-free" style="width:30%"');
  });

  it('labels a field and ties the API’s message to it', () => {
    const html = renderToStaticMarkup(<TextInput label="Capacity" value="0" readOnly errors={['Too small.']} />);
    const id = /<label for="([^"]+)">Capacity<\/label>/.exec(html)?.[1];
    expect(id).toBeTruthy();
    expect(html).toContain(`id="${id}"`);
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain(`aria-describedby="${id}-msg"`);
    expect(html).toContain(`<p class="field-error" id="${id}-msg">Too small.</p>`);
  });

  it('shows where a page is in the list and disables what cannot be clicked', () => {
    const html = renderToStaticMarkup(<Pagination page={1} count={45} noun="event" onPage={() => undefined} />);
    expect(html).toContain('1–20 of 45 events');
    expect(html).toContain('Page 1 of 3');
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*>← Previous/);
    expect(html).not.toMatch(/<button[^>]*disabled=""[^>]*>Next/);
  });
});
