"""Small scenarios written for the tests, each proving one rule of the engine."""

PERSONA = ('<persona name="Phạm Thị Thu" id-number="001185004321" sex="female" birth-year="1985" '
           'phone="0912345678" address="Số 5 phố Thử, Phường Láng, Hà Nội"/>')


def scenario(screens: str, start: str = "one", persona: str = PERSONA) -> str:
    """A scenario with the test persona and the given screens."""
    return (f'<scenario title="Thử" app="Thử" start="{start}">{persona}{screens}</scenario>')


END = '<screen id="end" title="Xong" end="true"><hint>Đã xong.</hint></screen>'

# Two scored screens (a choice, a form with every kind of field) and an unscored one.
FULL = scenario(
    '<screen id="one" title="Chọn"><text>Chào {persona.name}</text><hint>Chọn Tiếp.</hint>'
    '<actions><action id="next" goto="two">Tiếp</action>'
    '<action id="wrong" correct="false" feedback="Không phải nút này.">Thoát</action>'
    '<action id="trap" correct="false" goto="trap" feedback="Đây là bẫy.">Bẫy</action>'
    '</actions></screen>'
    '<screen id="trap" title="Bẫy"><hint>Quay lại.</hint>'
    '<actions><action id="back" goto="one">Quay lại</action></actions></screen>'
    '<screen id="two" title="Điền"><hint>Gợi ý của {persona.phone}.</hint>'
    '<form submit="Gửi" goto="three">'
    '<field id="id" kind="id-number" label="Số định danh" expect="persona.id-number"/>'
    '<field id="phone" kind="phone" label="Số điện thoại" expect="persona.phone"/>'
    '<field id="otp" kind="otp" label="Mã OTP" expect="604218"/>'
    '<field id="pw" kind="password" label="Mật khẩu"/>'
    '<field id="pw2" kind="password" label="Nhập lại" same-as="pw"/>'
    '<field id="pass" kind="passcode" label="Mã bảo vệ"/>'
    '<field id="mail" kind="email" label="Thư" optional="true"/>'
    '<field id="q1" kind="select" label="Câu 1"><option value="a">A</option>'
    '<option value="b">B</option></field>'
    '<field id="q2" kind="select" label="Câu 2" differs-from="q1"><option value="a">A</option>'
    '<option value="b">B</option></field>'
    '<field id="city" kind="text" label="Thành phố" expect="Hà Nội"/>'
    '</form></screen>'
    '<screen id="three" title="Đọc"><hint>Bấm Tiếp.</hint>'
    '<actions><action id="next" goto="end">Tiếp</action></actions></screen>' + END
)

FULL_VALUES = {
    "id": "001185004321", "phone": "0912 345 678", "otp": "604218", "pw": "Matkhau@2026",
    "pw2": "Matkhau@2026", "pass": "246810", "mail": "", "q1": "a", "q2": "b", "city": "ha noi",
}

# A catalogue search, a file to attach, a dossier code to type, and every display element.
JOURNEY = scenario(
    '<screen id="one" title="Tìm"><text>Bé vừa chào đời.</text><hint>Gõ "khai sinh".</hint>'
    '<search label="Tìm thủ tục" submit="Tìm" goto="two" expect="birth"/></screen>'
    '<screen id="two" title="Nộp"><procedure-card ref="birth"/>'
    '<sms from="Cổng DVC">Mã hồ sơ của bạn: {dossier-code}</sms><hint>Chọn tờ khai.</hint>'
    '<form submit="Gửi" goto="three">'
    '<field id="doc" kind="file" label="Tờ khai" expect="to_khai.pdf">'
    '<file name="to_khai.pdf" type="PDF" size="120 KB"/>'
    '<file name="to_khai_mo.jpg" type="JPG" size="2 MB" problem="Ảnh bị mờ, không đọc được."/>'
    '<file name="giay_khac.pdf" type="PDF" size="90 KB"/></field>'
    '<field id="code" kind="dossier-code" label="Mã hồ sơ"/></form></screen>'
    '<screen id="three" title="Theo dõi">'
    '<timeline><status state="done" date="15/06">Đã tiếp nhận</status>'
    '<status state="current">Đang xử lý</status><status state="todo">Có kết quả</status>'
    '</timeline><payment amount="200000" payee="Sở Tư pháp" reference="{dossier-code}"/>'
    '<document title="Phiếu" signer="Sở Tư pháp Hà Nội" signature="invalid">'
    '<item label="Họ tên">{persona.name}</item></document>'
    '<call from="Người lạ" number="0900000000">Đọc mã OTP cho tôi.</call>'
    '<chat app="Zalo" from="Người lạ">Bấm vào link này.</chat>'
    '<hint>Bấm Xong.</hint><actions><action id="next" goto="end">Xong</action>'
    '</actions></screen>' + END,
    persona=PERSONA + '<dossier agency="000.00.21.H26" date="2026-06-15" story="test"/>'
    '<catalogue><procedure id="birth" name="Liên thông khai sinh" keywords="sinh con, em bé" '
    'agency="UBND phường" fee="Miễn phí"><summary>Đăng ký khai sinh cho trẻ.</summary>'
    '<requires>Giấy chứng sinh</requires></procedure>'
    '<procedure id="marry" name="Đăng ký kết hôn" keywords="cưới, lấy vợ, lấy chồng">'
    '<summary>Đăng ký kết hôn cho hai người.</summary></procedure></catalogue>',
)
