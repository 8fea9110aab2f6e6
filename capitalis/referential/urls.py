app_name = "referential"
urlpatterns: list = []
