/**
 * Lesson tables scroll sideways inside their own box instead of squeezing words apart: each table
 * is wrapped in a focusable, labelled region (keyboard users can scroll it), and cells never break
 * inside a word (global.css), so "Ngân hàng" never renders as "Ngâ/n/hàn/g" on a 360 px phone.
 */
export default function rehypeTableScroll() {
  const walk = (node) => {
    if (!node.children) return;
    node.children = node.children.map((child) => {
      if (child.type === 'element' && child.tagName === 'table') {
        return {
          type: 'element',
          tagName: 'div',
          properties: { className: ['tablewrap'], tabIndex: 0, role: 'region', ariaLabel: 'Bảng (vuốt ngang nếu bảng rộng hơn màn hình)' },
          children: [child],
        };
      }
      walk(child);
      return child;
    });
  };
  return (tree) => walk(tree);
}
