/**
 * Markdown task lists ("- [ ] …") render disabled, unlabelled checkboxes. Printable checklists need
 * boxes to tick on paper, not form controls: replace each with a box glyph hidden from screen readers.
 */
export default function rehypeTaskBoxes() {
  const walk = (node) => {
    if (!node.children) return;
    node.children = node.children.map((child) => {
      if (child.type === 'element' && child.tagName === 'input' && child.properties?.type === 'checkbox') {
        return {
          type: 'element',
          tagName: 'span',
          properties: { className: ['box'], ariaHidden: 'true' },
          children: [{ type: 'text', value: child.properties.checked ? '☑' : '☐' }],
        };
      }
      walk(child);
      return child;
    });
  };
  return (tree) => walk(tree);
}
