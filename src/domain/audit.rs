//! The audit trail's actions in words.

/// What an audited action did, in Vietnamese; an action not listed here is
/// shown as stored.
pub fn action_label(action: &str) -> &str {
    match action {
        "user.create" => "Thêm người dùng",
        "user.update" => "Sửa người dùng",
        "user.reset_password" => "Đặt lại mật khẩu",
        "user.change_password" => "Tự đổi mật khẩu",
        "office.create" => "Thêm đơn vị",
        "office.update" => "Sửa đơn vị",
        "procedure.seed" => "Nạp danh mục thủ tục",
        "procedure.create" => "Thêm thủ tục",
        "procedure.update" => "Sửa thủ tục",
        "procedure.form_attach" => "Thêm mẫu đơn, tờ khai",
        "procedure.form_remove" => "Gỡ mẫu đơn, tờ khai",
        "calendar.put_day" => "Sửa ngày nghỉ, ngày làm bù",
        "calendar.delete_day" => "Xóa ngày nghỉ, ngày làm bù",
        "calendar.adopt_year" => "Áp dụng lịch năm",
        "calendar.year_source" => "Sửa căn cứ lịch năm",
        "calendar.official_add" => "Thêm lịch chính thức",
        "calendar.official_update" => "Cập nhật lịch chính thức",
        "calendar.keep_edited" => "Giữ lịch đã sửa",
        "calendar.settings" => "Sửa ngày, giờ làm việc",
        "postal.intake" => "Lập biên bản nhận hồ sơ bưu chính",
        "postal.shipment" => "Lập bảng kê gửi kết quả bưu chính",
        "outbox.retry" => "Gửi lại thông báo cho công dân",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn actions_read_in_vietnamese() {
        assert_eq!(super::action_label("user.create"), "Thêm người dùng");
        assert_eq!(
            super::action_label("procedure.seed"),
            "Nạp danh mục thủ tục"
        );
        assert_eq!(super::action_label("x.y"), "x.y");
    }
}
