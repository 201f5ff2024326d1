import type { Skill } from './content/schema.ts';

/** The five basic skills of the national programme, as shown to users. */
export const SKILL_LABELS: Record<Skill, string> = {
  'dich-vu-cong': 'Dịch vụ công trực tuyến',
  'mua-sam': 'Mua sắm trực tuyến',
  'thanh-toan': 'Thanh toán trực tuyến',
  'tu-bao-ve': 'Tự bảo vệ trên không gian mạng',
  'nen-tang-dia-phuong': 'Nền tảng số tại địa phương',
};
