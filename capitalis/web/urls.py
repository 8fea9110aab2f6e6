from django.urls import path

from capitalis.web import views, views_dashboards

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path(
        "admissions/dashboard/",
        views_dashboards.admissions_dashboard,
        name="admissions-dashboard",
    ),
]
