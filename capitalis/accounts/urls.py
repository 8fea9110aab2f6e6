app_name = "accounts"
urlpatterns: list = []  # login, logout, password change: see the pages work
