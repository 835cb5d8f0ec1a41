"""The starting catalogue of amenities and worker groups (slug, zh, en, icon).

Loaded by a data migration; staff may add more rows in the admin.
"""

AMENITIES = [
    ("drinking-water", "饮用水", "Drinking water", "🚰"),
    ("hot-water", "热水", "Hot water", "♨️"),
    ("microwave", "微波炉", "Microwave", "🍲"),
    ("refrigerator", "冰箱", "Refrigerator", "🧊"),
    ("air-conditioning", "空调", "Air conditioning", "❄️"),
    ("heating", "暖气", "Heating", "🔥"),
    ("seating", "座椅", "Seating", "🪑"),
    ("toilet", "卫生间", "Toilet", "🚻"),
    ("phone-charging", "手机充电", "Phone charging", "🔌"),
    ("ebike-charging", "电动车充换电", "E-bike battery charging or swap", "🔋"),
    ("wifi", "无线网络", "Wi-Fi", "📶"),
    ("first-aid", "急救包 / 应急药品", "First-aid kit / emergency medicine", "⛑️"),
    ("umbrella-loan", "爱心雨伞", "Umbrella loan", "☂️"),
    ("reading", "书报阅读", "Reading materials", "📚"),
    ("legal-aid", "法律援助", "Legal aid", "⚖️"),
    ("counselling", "心理咨询", "Counselling", "💬"),
    ("haircut", "爱心理发", "Haircut", "💈"),
    ("discounted-meals", "优惠餐食", "Discounted meals", "🍱"),
    ("goods-exchange", "爱心物品交换", "Donated-goods exchange", "🎁"),
]

WORKER_GROUPS = [
    ("courier", "快递员", "Couriers", "📦"),
    ("food-delivery", "外卖骑手", "Food-delivery riders", "🛵"),
    ("sanitation", "环卫工人", "Sanitation workers", "🧹"),
    ("driver", "出租车及网约车司机", "Taxi and ride-hailing drivers", "🚕"),
    ("construction", "建筑工人", "Construction workers", "👷"),
    ("traffic-police", "交通警察", "Traffic police", "👮"),
    ("other", "其他户外劳动者", "Other outdoor workers", "🧑"),
]


def load(amenity_model, group_model):
    """Insert missing catalogue rows; existing rows (maybe edited) are kept."""
    for model, rows in ((amenity_model, AMENITIES), (group_model, WORKER_GROUPS)):
        for position, (slug, zh, en, icon) in enumerate(rows):
            model.objects.get_or_create(
                slug=slug, defaults={"name_zh": zh, "name_en": en, "icon": icon, "position": position * 10}
            )
