/** Vietnamese names of audit-log actions. */
export const ACTION_LABELS: Record<string, string> = {
  assign: 'Giao khóa học bắt buộc',
  'team.create': 'Tạo tổ',
  'team.rename': 'Đổi tên tổ',
  'team.move': 'Chuyển tổ sang đơn vị khác',
  'member.move': 'Chuyển thành viên sang tổ khác',
  'member.deactivate': 'Cho thành viên thôi tham gia',
  'member.reactivate': 'Cho thành viên tham gia lại',
  'code.recovery': 'Cấp mã khôi phục mật khẩu',
  'code.activation': 'In phiếu mã kích hoạt',
  'code.activate': 'Thành viên kích hoạt tài khoản',
  'code.recover': 'Đặt lại mật khẩu bằng mã khôi phục',
  'roster.upload': 'Tải lên danh sách',
  'roster.commit': 'Xác nhận nhập danh sách',
  'scope.grant': 'Cấp quyền cán bộ',
  'unit.create': 'Thêm đơn vị hành chính',
  'unit.rename': 'Đổi tên đơn vị hành chính',
};
