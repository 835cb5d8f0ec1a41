"""The geography the generator spreads stations over.

Forty Chinese cities with their centres (WGS-84, to about a kilometre) and a
weight roughly proportional to the urban population, so Shanghai gets many
more stations than Lhasa. Districts are synthetic: five inner ones a few
kilometres from the centre and up to five outer ones 15-35 km out, which is
enough to give every city a dense core, busy sub-centres and sparse outskirts.
"""

# code, station-code prefix, Chinese name, English name, latitude, longitude, weight
CITIES = [
    ("shanghai", "SH", "上海市", "Shanghai", 31.2304, 121.4737, 24.9),
    ("beijing", "BJ", "北京市", "Beijing", 39.9042, 116.4074, 21.9),
    ("chengdu", "CD", "成都市", "Chengdu", 30.5728, 104.0668, 21.0),
    ("guangzhou", "GZ", "广州市", "Guangzhou", 23.1291, 113.2644, 18.7),
    ("shenzhen", "SZ", "深圳市", "Shenzhen", 22.5431, 114.0579, 17.6),
    ("chongqing", "CQ", "重庆市", "Chongqing", 29.5630, 106.5516, 16.0),
    ("tianjin", "TJ", "天津市", "Tianjin", 39.3434, 117.3616, 13.9),
    ("wuhan", "WH", "武汉市", "Wuhan", 30.5928, 114.3055, 13.6),
    ("xian", "XA", "西安市", "Xi'an", 34.3416, 108.9398, 13.0),
    ("suzhou", "SU", "苏州市", "Suzhou", 31.2989, 120.5853, 12.9),
    ("zhengzhou", "ZZ", "郑州市", "Zhengzhou", 34.7466, 113.6254, 12.8),
    ("hangzhou", "HZ", "杭州市", "Hangzhou", 30.2741, 120.1551, 12.2),
    ("shijiazhuang", "SJZ", "石家庄市", "Shijiazhuang", 38.0428, 114.5149, 11.2),
    ("dongguan", "DG", "东莞市", "Dongguan", 23.0207, 113.7518, 10.5),
    ("changsha", "CS", "长沙市", "Changsha", 28.2282, 112.9388, 10.4),
    ("qingdao", "QD", "青岛市", "Qingdao", 36.0671, 120.3826, 10.3),
    ("harbin", "HRB", "哈尔滨市", "Harbin", 45.8038, 126.5349, 9.9),
    ("hefei", "HF", "合肥市", "Hefei", 31.8206, 117.2272, 9.6),
    ("foshan", "FS", "佛山市", "Foshan", 23.0215, 113.1214, 9.5),
    ("nanjing", "NJ", "南京市", "Nanjing", 32.0603, 118.7969, 9.4),
    ("jinan", "JN", "济南市", "Jinan", 36.6512, 117.1201, 9.4),
    ("ningbo", "NB", "宁波市", "Ningbo", 29.8683, 121.5440, 9.4),
    ("shenyang", "SY", "沈阳市", "Shenyang", 41.8057, 123.4315, 9.1),
    ("changchun", "CC", "长春市", "Changchun", 43.8171, 125.3235, 9.1),
    ("nanning", "NN", "南宁市", "Nanning", 22.8170, 108.3665, 8.9),
    ("kunming", "KM", "昆明市", "Kunming", 25.0389, 102.7183, 8.5),
    ("fuzhou", "FZ", "福州市", "Fuzhou", 26.0745, 119.2965, 8.4),
    ("dalian", "DL", "大连市", "Dalian", 38.9140, 121.6147, 7.5),
    ("wuxi", "WX", "无锡市", "Wuxi", 31.4912, 120.3119, 7.5),
    ("nanchang", "NC", "南昌市", "Nanchang", 28.6820, 115.8579, 6.4),
    ("guiyang", "GY", "贵阳市", "Guiyang", 26.6470, 106.6302, 6.1),
    ("taiyuan", "TY", "太原市", "Taiyuan", 37.8706, 112.5489, 5.4),
    ("xiamen", "XM", "厦门市", "Xiamen", 24.4798, 118.0894, 5.3),
    ("lanzhou", "LZ", "兰州市", "Lanzhou", 36.0611, 103.8343, 4.4),
    ("urumqi", "UQ", "乌鲁木齐市", "Ürümqi", 43.8256, 87.6168, 4.1),
    ("hohhot", "HH", "呼和浩特市", "Hohhot", 40.8414, 111.7519, 3.5),
    ("yinchuan", "YC", "银川市", "Yinchuan", 38.4872, 106.2309, 2.9),
    ("haikou", "HK", "海口市", "Haikou", 20.0440, 110.1999, 2.9),
    ("xining", "XN", "西宁市", "Xining", 36.6171, 101.7782, 2.5),
    ("lhasa", "LS", "拉萨市", "Lhasa", 29.6520, 91.1721, 0.9),
]

# code, Chinese, English, distance from the centre in km (min, max), inner?
DISTRICTS = [
    ("central", "中心区", "Central", (0.0, 1.5), True),
    ("east", "东城区", "East", (4.0, 8.0), True),
    ("west", "西城区", "West", (4.0, 8.0), True),
    ("south", "南城区", "South", (4.0, 8.0), True),
    ("north", "北城区", "North", (4.0, 8.0), True),
    ("hitech", "高新区", "Hi-tech Zone", (12.0, 20.0), False),
    ("devzone", "经济开发区", "Development Zone", (15.0, 25.0), False),
    ("newarea", "新区", "New Area", (18.0, 30.0), False),
    ("port", "港区", "Port District", (20.0, 35.0), False),
    ("county", "近郊县", "Suburban County", (25.0, 35.0), False),
]

STREETS = [
    "人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "胜利路", "长江路", "黄河路", "青年路",
    "文化路", "光明路", "朝阳路", "团结路", "幸福路", "东风路", "工业路", "学府路", "滨海路", "振华路",
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
