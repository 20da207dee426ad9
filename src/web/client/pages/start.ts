// Starting a procedure: the definitions the caller may start, and the form of the chosen one's input.
import { post, session } from '../api/client';
import type { DefinitionView } from '../api/views';
import { definitions, defById } from '../definitions';
import { clear, h } from '../dom';
import { schemaForm, type SchemaForm } from '../forms';
import { t, label } from '../i18n';
import { actionForm, card, type Go } from '../ui';

export async function startPage(view: HTMLElement, go: Go): Promise<void> {
  const role = session.user?.role;
  const defs = (await definitions()).filter((d) => role && d.startRoles.includes(role));
  const select = h(
    'select',
    { id: 'definition', class: 'wide' },
    defs.map((d) => h('option', { value: d.id }, `${d.measure} ${label(d.title, d.id)}`)),
  );
  const input = inputFields(defs, select);
  const start = async () => {
    const res = await post('/instances', { body: { definitionId: select.value, input: input.read() } });
    go(`#/procedure/${res.instance.id}`);
  };
  view.append(
    h('h1', {}, t('start')),
    card(
      null,
      actionForm(
        { 'data-testid': 'start-form' },
        start,
        h('label', { for: 'definition' }, t('definition')),
        select,
        input.element,
        h('div', {}, h('button', { type: 'submit' }, t('startIt'))),
      ),
    ),
  );
}

/** The input form of the definition chosen in `select`, drawn again when the choice changes. */
function inputFields(defs: DefinitionView[], select: HTMLSelectElement): Pick<SchemaForm, 'element' | 'read'> {
  const holder = h('div');
  let form: SchemaForm | null = null;
  const draw = () => {
    clear(holder);
    const d = defById(defs, select.value);
    if (!d) return;
    form = schemaForm(d.inputSchema, 'input');
    holder.append(h('p', { class: 'muted' }, d.description || ''), form.element);
  };
  select.addEventListener('change', draw);
  draw();
  return { element: holder, read: () => form?.read() ?? {} };
}
